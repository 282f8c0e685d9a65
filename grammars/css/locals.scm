; documentHighlight for CSS: no bindings; selectors, properties and names
; highlight every occurrence of the same text in the same category (Text).
; A custom property (`--fg`) is one name where declared and in `var(--fg)`.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.text.<category>   a name without binding semantics, matched by text (Text)

(class_name) @local.text.class
(id_name) @local.text.id
(tag_name) @local.text.tag
(property_name) @local.text.property
((plain_value) @local.text.property
  (#match? @local.text.property "^--"))
(keyframes_name) @local.text.keyframes
(attribute_name) @local.text.attribute
(function_name) @local.text.function
