/** Number and text formatting shared by the panels. */

export function num(v: number | null | undefined, digits = 4): string {
  if (v == null || Number.isNaN(v)) return '–';
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

export function signed(v: number | null | undefined, digits = 4): string {
  if (v == null) return '–';
  const s = num(v, digits);
  return v > 0 ? `+${s}` : s;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Creates an element with text; never innerHTML with server data. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
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
