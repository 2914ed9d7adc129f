/**
 * Whether git treats these bytes as binary: a NUL in the first 8,000 bytes (git's `buffer_is_binary`, xdiff's
 * `FIRST_FEW_BYTES`). `git diff` then prints "Binary files differ", `git grep -I` skips the file.
 */
export const isBinary = (bytes: Uint8Array): boolean => bytes.subarray(0, 8000).includes(0);
