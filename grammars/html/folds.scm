; Folding ranges (textDocument/foldingRange) for HTML.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node
;   @fold.close      its closing delimiter: an element folds up to its end tag, which stays visible
;   @fold.comment    comments: multi-line ones fold
;   @fold.region.start / @fold.region.end   `<!-- #region -->` ... `<!-- #endregion -->` markers

(element (end_tag) @fold.close) @fold
(script_element (end_tag) @fold.close) @fold
(style_element (end_tag) @fold.close) @fold
; A tag whose attributes span lines, up to its `>`.
(start_tag) @fold
(self_closing_tag) @fold

(comment) @fold.comment

((comment) @fold.region.start
  (#match? @fold.region.start "^<!--\\s*#region\\b"))
((comment) @fold.region.end
  (#match? @fold.region.end "^<!--\\s*#endregion\\b"))
