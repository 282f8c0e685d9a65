; Folding ranges (textDocument/foldingRange) for JSON (and JSON with comments).
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node (the closing `}` or `]` stays visible)
;   @fold.comment    comments: multi-line ones fold, consecutive line comments fold as one run

[
  (object)
  (array)
] @fold

(comment) @fold.comment
