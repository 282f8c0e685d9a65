; inherits: typescript
; TSX uses the TypeScript locals query as it is (grammars/typescript/locals.scm).
