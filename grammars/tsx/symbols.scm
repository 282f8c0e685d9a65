; inherits: typescript
; TSX uses the TypeScript symbols query as it is (grammars/typescript/symbols.scm).
