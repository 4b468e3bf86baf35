/// <reference lib="dom" />
// The API key field (browser code). A server started with --api-key answers every /v1 call
// without "Authorization: Bearer <key>" with 401; the page itself stays open. The key the user
// types is kept in this tab's sessionStorage only (never localStorage, a cookie or a URL, and never
// logged): api.ts sends it on every call, and it is gone when the tab closes. The input has no
// `name`, so even a form submitted without this script would not carry it.
import { byId } from './dom.js';

const STORAGE = 'loraledger.apiKey';

/** The key for this tab, or null when none was entered (or storage is off). */
export function apiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE) || null;
  } catch {
    return null; // storage disabled: calls go without a key, and a 401 says so
  }
}

export class KeyField {
  private readonly form = byId<HTMLFormElement>('api-key-form');
  private readonly input = byId<HTMLInputElement>('api-key');
  private readonly forget = byId<HTMLButtonElement>('api-key-forget');

  /** `onChange` runs after the key is set or forgotten (the page reloads what it shows). */
  constructor(onChange: () => void) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const key = this.input.value.trim();
      if (!key) return;
      this.store(key);
      onChange();
    });
    this.forget.addEventListener('click', () => {
      this.store(null);
      onChange();
    });
    this.show();
  }

  private store(key: string | null): void {
    try {
      if (key === null) sessionStorage.removeItem(STORAGE);
      else sessionStorage.setItem(STORAGE, key);
    } catch {
      // storage disabled: nothing to keep; the next 401 points here again
    }
    this.input.value = ''; // the key is not left in the page
    this.show();
  }

  /** Whether a key is set shows in the field's placeholder and the form's data-key; never the key. */
  private show(): void {
    const set = apiKey() !== null;
    this.form.dataset.key = set ? 'set' : 'none';
    this.form.classList.remove('needs-key');
    this.input.removeAttribute('aria-invalid');
    this.input.placeholder = set ? 'set for this tab' : 'only if the server asks';
    this.forget.hidden = !set;
  }
}
