/** DOM helpers shared by the panels; the number formats live in numbers.ts. */
export { count, num, percent, plural, shortId, signed, signedCount } from './numbers.ts';

/** Creates an element with text; never innerHTML with server data. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** A table cell with its column name, which the narrow (stacked) layout shows beside the value. */
export function cell(text: string, column: string, cls?: string): HTMLTableCellElement {
  const td = el('td', text, cls);
  td.dataset.col = column;
  return td;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

/** The element types `byIds` hands out, by the group an id is listed under. */
interface Kinds {
  select: HTMLSelectElement;
  input: HTMLInputElement;
  button: HTMLButtonElement;
  table: HTMLTableElement;
  other: HTMLElement;
}
const KIND_CLASS: Readonly<Record<keyof Kinds, string>> = { select: 'SELECT', input: 'INPUT', button: 'BUTTON', table: 'TABLE', other: '' };
type IdGroups = { readonly [K in keyof Kinds]?: readonly string[] };
type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
type KindOf<T extends IdGroups, Id extends string> = { [K in keyof T & keyof Kinds]: T[K] extends readonly (infer I)[] ? (Id extends I ? Kinds[K] : never) : never }[keyof T & keyof Kinds];
type AllIds<T extends IdGroups> = { [K in keyof T]: T[K] extends readonly (infer I extends string)[] ? I : never }[keyof T];
export type Elements<P extends string, T extends IdGroups> = { [Id in AllIds<T> as Camel<Id extends `${P}${infer R}` ? R : Id>]: KindOf<T, Id> };

/**
 * A panel's elements by id, grouped by their tag (checked: a wrong tag throws at start-up), keyed
 * by the id in camelCase without the panel's prefix: `byIds('cmp-', { select: ['cmp-task'] }).task`.
 */
export function byIds<const P extends string, const T extends IdGroups>(prefix: P, groups: T): Elements<P, T> {
  const out: Record<string, HTMLElement> = {};
  for (const [kind, ids] of Object.entries(groups) as [keyof Kinds, readonly string[]][]) {
    for (const id of ids) {
      const e = byId(id);
      if (KIND_CLASS[kind] && e.tagName !== KIND_CLASS[kind]) throw new Error(`#${id} is a <${e.tagName.toLowerCase()}>, not a <${KIND_CLASS[kind].toLowerCase()}>`);
      const key = (id.startsWith(prefix) ? id.slice(prefix.length) : id).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      out[key] = e;
    }
  }
  return out as Elements<P, T>;
}

export function passBadge(passed: boolean): HTMLElement {
  // Text carries the meaning; colour only repeats it.
  return el('span', passed ? 'Passed' : 'Failed', passed ? 'badge pass' : 'badge fail');
}
