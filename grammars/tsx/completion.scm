; inherits: typescript
; TSX uses the TypeScript completion query as it is (grammars/typescript/completion.scm).
