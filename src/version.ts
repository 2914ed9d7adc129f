/**
 * This package's version, sent in the `user-agent` header. A test keeps it equal to package.json.
 *
 * @example
 * console.log(`cloudflare-artifacts ${VERSION}`);
 */
export const VERSION = "0.1.0";
