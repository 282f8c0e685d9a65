; inherits: typescript
; TSX: the TypeScript query plus JSX.

; JSX: children and attributes are indented; `>`, `/>` and the closing tag are not.
[
  (jsx_element)
  (jsx_opening_element)
  (jsx_self_closing_element)
  (jsx_expression)
] @indent.begin
(jsx_closing_element) @indent.end
(jsx_opening_element ">" @indent.end)
(jsx_self_closing_element "/>" @indent.end)
