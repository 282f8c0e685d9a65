; HTML (prettier's layout for block content). Whitespace inside <pre> and
; <textarea> is content and is left as it is.
[
  (element)
  (start_tag)
  (self_closing_tag)
] @indent.begin
(end_tag) @indent.end
(start_tag ">" @indent.end)
(self_closing_tag "/>" @indent.end)

((element (start_tag (tag_name) @_name)) @indent.ignore
  (#match? @_name "^([pP][rR][eE]|[tT][eE][xX][tT][aA][rR][eE][aA]|[pP][lL][aA][iI][nN][tT][eE][xX][tT]|[lL][iI][sS][tT][iI][nN][gG])$"))
[ (script_element) (style_element) (quoted_attribute_value) (comment) ] @indent.ignore
