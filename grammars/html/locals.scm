; documentHighlight for HTML: the start and end tag names of one element
; highlight together (each element is a scope that binds its tag name), as
; editors pair tags; attribute names match by text.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)

[
  (element)
  (script_element)
  (style_element)
] @local.scope

(start_tag (tag_name) @local.definition.tag)
(end_tag (tag_name) @local.definition.tag)
(self_closing_tag (tag_name) @local.definition.tag)

(attribute_name) @local.text.attribute
