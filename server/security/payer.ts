// The payer of a request: the name of its API key (request.payer, set by installSecurity), carried
// into its attribution record. Code that plans requests deep inside a route (the WebSocket's
// generations, the Responses API) gets a services view whose planDeps() already carries it.
import type { AppServices } from '../appServices.ts';

/** `s` with planDeps() defaulting to `payer`; every other member is read through to `s`. */
export function servicesFor(s: AppServices, payer: string | null): AppServices {
  if (payer === null) return s;
  return Object.create(s, {
    planDeps: { value: (p?: string | null) => s.planDeps(p ?? payer) },
  }) as AppServices;
}
