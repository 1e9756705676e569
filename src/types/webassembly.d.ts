// Node provides WebAssembly as a global, but TypeScript declares it only in lib.dom, which this
// project leaves out so browser globals cannot creep into server code. These are the parts
// `src/vector-index/simd-scan.ts` uses, as the WebAssembly JS API specifies them.
declare namespace WebAssembly {
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}
