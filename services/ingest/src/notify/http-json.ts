import { ChannelError } from './notification-channel.js';

export interface JsonAnswer {
  readonly status: number;
  /** Parsed JSON body; undefined when it was not JSON. */
  readonly body: unknown;
}

/**
 * One HTTP request for a channel: network failures and timeouts are retryable ChannelErrors; the
 * answer (any status) is returned with its JSON body for the channel to judge.
 */
export async function requestJson(
  channel: string,
  url: string,
  init: { readonly body: string; readonly contentType: string; readonly timeoutMs: number },
): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': init.contentType },
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (error) {
    throw new ChannelError(`${channel}: ${(error as Error).message}`, true);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** 408, 429 and 5xx: the peer may accept later. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
