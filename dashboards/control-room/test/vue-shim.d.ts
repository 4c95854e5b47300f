// The root test type check (tsconfig.test.json, plain tsc) compiles these tests too; it cannot
// read single-file components, so it takes their types from the dashboard's shim. A reference,
// not an import: env.d.ts is a global declaration file, not a module.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../src/env.d.ts" />
