/**
 * SHA-1 fed in pieces (FIPS 180-4). Web Crypto digests only a whole buffer, and the data plane hashes what it does
 * not hold whole: a pack as it arrives or as it is sent, a file as it streams, an object's header before its bytes.
 */
export class Sha1 {
  private h0 = 0x67452301;
  private h1 = 0xefcdab89 | 0;
  private h2 = 0x98badcfe | 0;
  private h3 = 0x10325476;
  private h4 = 0xc3d2e1f0 | 0;
  /** The bytes of a block not yet full. */
  private readonly block = new Uint8Array(64);
  private filled = 0;
  private length = 0;
  private readonly w = new Int32Array(80);

  update(bytes: Uint8Array): this {
    this.length += bytes.byteLength;
    let at = 0;
    if (this.filled > 0) {
      at = Math.min(64 - this.filled, bytes.byteLength);
      this.block.set(bytes.subarray(0, at), this.filled);
      this.filled += at;
      if (this.filled < 64) return this;
      this.compress(this.block, 0);
      this.filled = 0;
    }
    for (; at + 64 <= bytes.byteLength; at += 64) this.compress(bytes, at);
    if (at < bytes.byteLength) {
      this.block.set(bytes.subarray(at), 0);
      this.filled = bytes.byteLength - at;
    }
    return this;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const padding = new Uint8Array((this.filled < 56 ? 56 : 120) - this.filled + 8);
    padding[0] = 0x80;
    const view = new DataView(padding.buffer);
    view.setUint32(padding.byteLength - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padding.byteLength - 4, bits >>> 0);
    this.update(padding);
    const out = new Uint8Array(20);
    const words = new DataView(out.buffer);
    for (const [index, word] of [this.h0, this.h1, this.h2, this.h3, this.h4].entries()) {
      words.setUint32(index * 4, word >>> 0);
    }
    return out;
  }

  hex(): string {
    let text = "";
    for (const byte of this.digest()) text += HEX[byte];
    return text;
  }

  private viewed: Uint8Array | undefined;
  private viewOf: DataView | undefined;

  /** A DataView of `bytes`, made once per buffer given: reading words through it is twice as fast as by bytes. */
  private view(bytes: Uint8Array): DataView {
    if (this.viewed !== bytes) {
      this.viewed = bytes;
      this.viewOf = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.viewOf as DataView;
  }

  private compress(bytes: Uint8Array, at: number): void {
    const w = this.w;
    const view = this.view(bytes);
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(at + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = this.h0;
    let b = this.h1;
    let c = this.h2;
    let d = this.h3;
    let e = this.h4;
    // Four loops, one per round: no branch per step. (The fields start as int32s, so V8 never changes their shape.)
    let t: number;
    for (let i = 0; i < 20; i++) {
      t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + (w[i] as number) + 0x5a827999) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 20; i < 40; i++) {
      t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (w[i] as number) + 0x6ed9eba1) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 40; i < 60; i++) {
      t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + (w[i] as number) + 0x8f1bbcdc) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 60; i < 80; i++) {
      t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (w[i] as number) + 0xca62c1d6) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    this.h0 = (this.h0 + a) | 0;
    this.h1 = (this.h1 + b) | 0;
    this.h2 = (this.h2 + c) | 0;
    this.h3 = (this.h3 + d) | 0;
    this.h4 = (this.h4 + e) | 0;
  }
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
