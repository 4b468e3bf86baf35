/// <reference lib="dom" />
// Small DOM helpers for the page (browser code): element lookup, element building, the error banner.

/** The element with this id; a missing one is a bug in index.html, so it throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

type Child = Node | string | number | null | undefined;

/** document.createElement with attributes (className, textContent, dataset via data-*) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'className') el.className = String(v);
    else if (typeof v === 'boolean') el.toggleAttribute(k, v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

/**
 * Shows `context: message` in the page's error banner (the API's own message for API errors). A
 * 401 (the server runs with --api-key) is told in the page's own words and points at the API key
 * field (apiKey.ts), which it marks.
 */
export function showError(context: string, err: unknown): void {
  let message = err instanceof Error ? err.message : String(err);
  if ((err as { status?: number } | null)?.status === 401) {
    const form = byId('api-key-form');
    message =
      form.dataset.key === 'set'
        ? 'the server refused this tab’s API key. Check it and enter it again in the "API key" field at the top of the page.'
        : 'this server needs an API key. Enter yours in the "API key" field at the top of the page.';
    form.classList.add('needs-key');
    const input = byId<HTMLInputElement>('api-key');
    input.setAttribute('aria-invalid', 'true');
    if (document.activeElement !== input) input.focus();
  }
  byId('error-text').textContent = `${context}: ${message}`;
  byId('error').hidden = false;
}

export function clearError(): void {
  byId('error').hidden = true;
}

/** An event handler that reports its failure in the banner instead of dropping it. */
export function guarded<A extends unknown[]>(
  context: string,
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => void {
  return (...args: A) => {
    Promise.resolve()
      .then(() => fn(...args))
      .catch((err: unknown) => showError(context, err));
  };
}

/** "0x1234…abcd" for long addresses and hashes. */
export const short = (s: string, keep = 6) => (s.length > 2 * keep + 3 ? `${s.slice(0, keep)}…${s.slice(-4)}` : s);

/** "1:05" / "12 s" for a number of seconds. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
