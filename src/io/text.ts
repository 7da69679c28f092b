// UTF-8 through the platform's TextEncoder and TextDecoder (every browser and Node has them), typed
// here because the library is compiled without the DOM's or Node's type libraries.

interface Encoder {
  encode(text: string): Uint8Array;
}
interface Decoder {
  decode(bytes: Uint8Array): string;
}
const platform = globalThis as unknown as {
  readonly TextEncoder: new () => Encoder;
  readonly TextDecoder: new (label: string, options: { readonly fatal: boolean; readonly ignoreBOM: boolean }) => Decoder;
};

/** A string's UTF-8 bytes. */
export const encodeUtf8 = (text: string): Uint8Array => new platform.TextEncoder().encode(text);

/** UTF-8 bytes as a string; malformed bytes are a TypeError (the decoder's `fatal` mode). */
export const decodeUtf8 = (bytes: Uint8Array): string => new platform.TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
