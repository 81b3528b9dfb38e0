/** Upload content checks: declared type must match the bytes; base64 must be strict. */
import { decodeBase64Image, sniffImageType } from './image-type';

describe('image content checks', () => {
  it('recognises png, jpeg, gif and webp by their bytes', () => {
    expect(sniffImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(
      'image/png',
    );
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('GIF89a....'))).toBe('image/gif');
    expect(sniffImageType(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(Buffer.from('<html>'))).toBeNull();
  });

  it('decodes strict base64 and data: URLs of the declared type only', () => {
    expect(decodeBase64Image('aGVsbG8=', 'image/png')?.toString()).toBe('hello');
    expect(decodeBase64Image('data:image/png;base64,aGVsbG8=', 'image/png')?.toString()).toBe('hello');
    expect(decodeBase64Image('data:image/gif;base64,aGVsbG8=', 'image/png')).toBeNull();
    expect(decodeBase64Image('aGVs*bG8=', 'image/png')).toBeNull();
    expect(decodeBase64Image('aGVsbG8', 'image/png')).toBeNull();
    expect(decodeBase64Image('', 'image/png')).toBeNull();
    expect(decodeBase64Image('aGVs=G8=', 'image/png')).toBeNull();
    expect(decodeBase64Image('====', 'image/png')).toBeNull();
  });

  it('checks a multi-megabyte payload without overflowing the stack', () => {
    const big = Buffer.alloc(7 * 1024 * 1024, 7);
    expect(decodeBase64Image(big.toString('base64'), 'image/png')?.length).toBe(big.length);
    expect(decodeBase64Image(`${big.toString('base64').slice(0, -4)}*AAA`, 'image/png')).toBeNull();
  });
});
