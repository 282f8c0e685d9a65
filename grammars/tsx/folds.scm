; inherits: typescript
; TSX: the TypeScript query plus JSX.

; JSX: an element up to its closing tag, a tag's attributes up to its `>`.
(jsx_element
  (jsx_closing_element) @fold.close) @fold
[
  (jsx_opening_element)
  (jsx_self_closing_element)
  (jsx_expression)
] @fold
