/**
 * Banner / notice images (seed 004 dependency "Cloudflare R2-compatible
 * object storage"): the declared content type must match the bytes, so a
 * page or script cannot be stored as an "image" under the public bucket.
 * SVG is refused for the same reason (it can carry script).
 */
export const IMAGE_TYPES = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
} as const;

export type ImageContentType = keyof typeof IMAGE_TYPES;

export const IMAGE_CONTENT_TYPES = Object.keys(IMAGE_TYPES) as ImageContentType[];

const startsWith = (bytes: Buffer, signature: number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** The image type the bytes actually are, or null for anything else. */
export function sniffImageType(bytes: Buffer): ImageContentType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

/**
 * Strict base64 (standard alphabet, padded, optional `data:<type>;base64,`
 * prefix whose type must equal `contentType`). Returns null when malformed,
 * rather than letting Buffer.from skip junk characters silently.
 */
export function decodeBase64Image(input: string, contentType: string): Buffer | null {
  let payload = input.trim();
  const dataUrl = /^data:([a-z0-9.+/-]+);base64,/i.exec(payload);
  if (dataUrl) {
    if (dataUrl[1].toLowerCase() !== contentType) return null;
    payload = payload.slice(dataUrl[0].length);
  }
  payload = payload.replace(/\s+/g, '');
  if (payload.length === 0 || payload.length % 4 !== 0 || !isBase64Alphabet(payload)) return null;
  return Buffer.from(payload, 'base64');
}

/**
 * `^[A-Za-z0-9+/]+={0,2}$` as a linear scan: a backtracking regex over a
 * multi-megabyte payload overflowed the stack under load (RangeError → 500).
 */
function isBase64Alphabet(text: string): boolean {
  let end = text.length;
  if (text.charCodeAt(end - 1) === 61) end--;
  if (text.charCodeAt(end - 1) === 61) end--;
  if (end === 0) return false;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}
