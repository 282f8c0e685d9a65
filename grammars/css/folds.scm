; Folding ranges (textDocument/foldingRange) for CSS.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node (the closing `}` stays visible)
;   @fold.comment    comments: multi-line ones fold
;   @fold.imports    `@import` rules: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `/* #region */` ... `/* #endregion */` markers

[
  (block)
  (keyframe_block_list)
  (arguments)
] @fold

(comment) @fold.comment

(import_statement) @fold.imports

((comment) @fold.region.start
  (#match? @fold.region.start "^/\\*\\s*#region\\b"))
((comment) @fold.region.end
  (#match? @fold.region.end "^/\\*\\s*#endregion\\b"))
