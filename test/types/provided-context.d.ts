// Values the Node global setups hand to tests through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    libsqlUrl: string;
    baseUrl: string;
    hostPageUrl: string;
  }
}
export {};
