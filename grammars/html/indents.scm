; HTML (prettier's layout). Whitespace inside <pre> and <textarea> is content
; and is left as it is. prettier keeps inline content whitespace-sensitive by
; moving a tag's `>` to the next line: a start tag's `>` that hugs the content
; after it stays at the attributes' level, one alone on its line goes back to
; the tag's level, and so does an end tag's `>`.
[
  (element)
  (start_tag)
  (self_closing_tag)
] @indent.begin
(end_tag) @indent.end
(end_tag ">" @indent.end)
((start_tag ">" @indent.end) (#set! indent.alone "true"))
(self_closing_tag "/>" @indent.end)

((element (start_tag (tag_name) @_name)) @indent.ignore
  (#match? @_name "^([pP][rR][eE]|[tT][eE][xX][tT][aA][rR][eE][aA]|[pP][lL][aA][iI][nN][tT][eE][xX][tT]|[lL][iI][sS][tT][iI][nN][gG])$"))
[ (script_element) (style_element) (quoted_attribute_value) (comment) ] @indent.ignore
