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

export function passBadge(passed: boolean): HTMLElement {
  // Text carries the meaning; colour only repeats it.
  return el('span', passed ? 'Passed' : 'Failed', passed ? 'badge pass' : 'badge fail');
}
