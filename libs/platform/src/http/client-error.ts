import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Fastify's clientErrorHandler: what Node's HTTP parser refuses before any route sees the request
 * (headers or URL over 16 KiB, a malformed request line, a client too slow to send) is answered in the
 * error envelope like everything else, instead of Fastify's own body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'timeout', 'The request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'The URL and headers together exceed 16 KiB']
        : [400, 'validation_failed', 'The request is not valid HTTP'];
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code, message, requestId } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Fastify's frameworkErrors: a URL its router refuses before any route (a path parameter longer than
 * maxParamLength, a malformed percent-encoding) is answered in the error envelope.
 */
export function answerFrameworkError(
  error: Error & { code?: string; statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [status, code, message] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'uri_too_long', 'A path parameter is longer than 2,000 characters']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'validation_failed', 'The URL is not validly percent-encoded']
        : [error.statusCode && error.statusCode < 500 ? error.statusCode : 400, 'validation_failed', error.message];
  void reply
    .code(status)
    .header('x-request-id', request.id)
    .send({
      error: {
        code,
        message,
        ...(status === 400 ? { details: [{ field: 'url', problem: message }] } : {}),
        requestId: request.id,
      },
    });
}
