import { createHmac, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../common/find';

/** Whom an unsubscribe link is for: one recipient of one owner. */
export interface UnsubscribeTarget {
  ownerId: string;
  recipientId: string;
}

const VERSION = 1;
const ID_BYTES = 16;
/** 128 bits of HMAC-SHA256: as hard to guess as a random token of that size. */
const MAC_BYTES = 16;
const PAYLOAD_BYTES = 1 + 2 * ID_BYTES;
const TOKEN_BYTES = PAYLOAD_BYTES + MAC_BYTES;

const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
const uuidOf = (bytes: Buffer) => bytes.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

function mac(secret: string, payload: Buffer): Buffer {
  // The purpose goes into the MAC, so a token made with the same secret for anything else never passes as this one.
  return createHmac('sha256', secret).update('unsubscribe\n').update(payload).digest().subarray(0, MAC_BYTES);
}

/** The token of an unsubscribe link: version, owner and recipient ids, and their HMAC under `secret` (base64url, 66 characters). */
export function unsubscribeToken(secret: string, { ownerId, recipientId }: UnsubscribeTarget): string {
  if (!isUuid(ownerId) || !isUuid(recipientId)) throw new Error('unsubscribe tokens are made for uuids');
  const payload = Buffer.concat([Buffer.from([VERSION]), uuidBytes(ownerId), uuidBytes(recipientId)]);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/** Whom a token is for, or null when it was not made with `secret` (forged, altered, cut short, or not a token at all). */
export function readUnsubscribeToken(secret: string, token: string): UnsubscribeTarget | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) return null;
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(mac(secret, payload), bytes.subarray(PAYLOAD_BYTES))) return null;
  return { ownerId: uuidOf(payload.subarray(1, 1 + ID_BYTES)), recipientId: uuidOf(payload.subarray(1 + ID_BYTES)) };
}
