class Sha1 {
  constructor() {
    this.h0 = 1732584193;
    this.h1 = 4023233417 | 0;
    this.h2 = 2562383102 | 0;
    this.h3 = 271733878;
    this.h4 = 3285377520 | 0;
    /** The bytes of a block not yet full. */
    this.block = new Uint8Array(64);
    this.filled = 0;
    this.length = 0;
    this.w = new Int32Array(80);
  }
  update(bytes) {
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
  digest() {
    const bits = this.length * 8;
    const padding = new Uint8Array((this.filled < 56 ? 56 : 120) - this.filled + 8);
    padding[0] = 128;
    const view = new DataView(padding.buffer);
    view.setUint32(padding.byteLength - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padding.byteLength - 4, bits >>> 0);
    this.update(padding);
    const out = new Uint8Array(20);
    const words = new DataView(out.buffer);
    [this.h0, this.h1, this.h2, this.h3, this.h4].forEach((word, index) => words.setUint32(index * 4, word >>> 0));
    return out;
  }
  hex() {
    let text = "";
    for (const byte of this.digest()) text += HEX[byte];
    return text;
  }
  /** A DataView of `bytes`, made once per buffer given: reading words through it is twice as fast as by bytes. */
  view(bytes) {
    if (this.viewed !== bytes) {
      this.viewed = bytes;
      this.viewOf = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.viewOf;
  }
  compress(bytes, at) {
    const w = this.w;
    const view = this.view(bytes);
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(at + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = this.h0;
    let b = this.h1;
    let c = this.h2;
    let d = this.h3;
    let e = this.h4;
    let t;
    for (let i = 0; i < 20; i++) {
      t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + w[i] + 1518500249) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 20; i < 40; i++) {
      t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[i] + 1859775393) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 40; i < 60; i++) {
      t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + w[i] + 2400959708) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 60; i < 80; i++) {
      t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[i] + 3395469782) | 0;
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

export { Sha1 };
