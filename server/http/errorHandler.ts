// The ONE error mapping (house style §8): any thrown error -> HTTP status + OpenAI error body,
// through ERROR_CATALOGUE. Used by Fastify's error handler, the 404 handler, and the WebSocket
// protocol's error messages, so every transport speaks the same errors.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE, LoraledgerError, type CatalogueEntry, type ErrorCode } from '../../common/index.ts';

export interface OpenAIError {
  error: { message: string; type: string; param: string | null; code: string };
}
export interface MappedError {
  status: number;
  body: OpenAIError;
  headers: Record<string, string>;
  expected: boolean;
}

/** Seconds a client is told to wait after `overloaded`. */
export const RETRY_AFTER_SECONDS = ERROR_CATALOGUE.overloaded.retryAfterSeconds;

function fromCode(code: ErrorCode, message: string, param: string | null = null): MappedError {
  const entry: CatalogueEntry = ERROR_CATALOGUE[code];
  // codes for conditions that clear by themselves (overloaded, adapter_load_failed) say when to retry
  const headers: Record<string, string> =
    entry.retryAfterSeconds === undefined ? {} : { 'retry-after': String(entry.retryAfterSeconds) };
  return {
    status: entry.status,
    body: { error: { message, type: entry.type, param, code } },
    headers,
    expected: entry.status < 500,
  };
}

/** `/temperature` -> `temperature`; `/messages/0/role` -> `messages[0].role`. */
function paramOf(v: { instancePath?: string; params?: Record<string, unknown> }): string | null {
  const parts = (v.instancePath ?? '').split('/').filter((p) => p !== '');
  const missing = v.params?.missingProperty;
  if (typeof missing === 'string') parts.push(missing);
  if (parts.length === 0) return null;
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function mapError(err: unknown): MappedError {
  if (err instanceof LoraledgerError) return fromCode(err.code, err.message, err.param ?? null);
  const e = err as Partial<FastifyError> & {
    validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>;
  };
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    const first = e.validation[0];
    // A union field reports each branch's complaint, then anyOf: say what the union is instead.
    const union = e.validation.find(
      (x) => (x as { keyword?: string }).keyword === 'anyOf' && x.instancePath === first.instancePath,
    );
    const v = union ? { ...first, message: 'does not have any of the allowed types (see /docs)' } : first;
    const param = paramOf(v);
    const where =
      e.validationContext === 'params'
        ? 'path parameter '
        : e.validationContext === 'querystring'
          ? 'query parameter '
          : '';
    const what = v.params && typeof v.params.missingProperty === 'string' ? 'is required' : (v.message ?? 'is invalid');
    return fromCode('invalid_request', `${where}${param ?? 'body'} ${what}`, param);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return fromCode('payload_too_large', 'The request body is larger than the server accepts (--body-limit).');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return fromCode('malformed_json', `The request body is not valid JSON: ${e.message ?? ''}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fromCode('invalid_request', 'Unsupported Content-Type: send application/json.', 'content-type');
  }
  if (err instanceof SyntaxError && e.statusCode === 400)
    return fromCode('malformed_json', `The request body is not valid JSON: ${err.message}`);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const m = fromCode(
      e.statusCode === 404 ? 'not_found' : e.statusCode === 413 ? 'payload_too_large' : 'invalid_request',
      e.message ?? 'Bad request',
    );
    return { ...m, status: e.statusCode };
  }
  return {
    ...fromCode('internal_error', 'Internal server error; the server log has the details under this request id.'),
    expected: false,
  };
}

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any hook runs (a path that
 * is not valid percent-encoding, a path parameter over maxParamLength) get OpenAI's shape too.
 */
export function frameworkErrors(err: Error, _request: FastifyRequest, reply: FastifyReply): void {
  const m = mapError(err);
  void reply.code(m.status).headers(m.headers).send(m.body);
}

/** Installs the error and not-found handlers on the app. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const m = mapError(err);
    if (m.expected) request.log.info({ code: m.body.error.code, status: m.status }, m.body.error.message);
    else request.log.error({ err, code: m.body.error.code }, 'request failed');
    return reply.code(m.status).headers(m.headers).send(m.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const m = fromCode('not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(m.status).send(m.body);
  });
}
