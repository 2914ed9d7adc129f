// The part of pako 1.x this data plane uses (pack-reader.ts): a streaming inflate that says how much input it used.
declare module "pako" {
  class Inflate {
    constructor(options?: { chunkSize?: number });
    push(data: Uint8Array, mode?: boolean | number): boolean;
    onData: (chunk: Uint8Array) => void;
    onEnd: (status: number) => void;
    err: number;
    msg: string;
    ended: boolean;
    strm: { avail_in: number };
  }
  const pako: { Inflate: typeof Inflate };
  export default pako;
}
