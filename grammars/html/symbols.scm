; Document symbols (textDocument/documentSymbol) for HTML: elements with an id.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name.<part>     pieces of the name template (#set! name "{name.tag}#{name.id}")
;   @_attr           helper capture for the #eq? predicate
; Nesting comes from range containment: an element with an id nests under the
; nearest enclosing element with an id.
;
; Named `tag#id` as in VS Code's HTML outline; kind field.

((element
  [(start_tag (tag_name) @name.tag (attribute (attribute_name) @_attr [(quoted_attribute_value (attribute_value) @name.id) (attribute_value) @name.id]))
   (self_closing_tag (tag_name) @name.tag (attribute (attribute_name) @_attr [(quoted_attribute_value (attribute_value) @name.id) (attribute_value) @name.id]))]) @symbol.field
  (#match? @_attr "^[iI][dD]$")
  (#set! name "{name.tag}#{name.id}"))

(((script_element
  (start_tag (tag_name) @name.tag (attribute (attribute_name) @_attr [(quoted_attribute_value (attribute_value) @name.id) (attribute_value) @name.id]))) @symbol.field)
  (#match? @_attr "^[iI][dD]$")
  (#set! name "{name.tag}#{name.id}"))

(((style_element
  (start_tag (tag_name) @name.tag (attribute (attribute_name) @_attr [(quoted_attribute_value (attribute_value) @name.id) (attribute_value) @name.id]))) @symbol.field)
  (#match? @_attr "^[iI][dD]$")
  (#set! name "{name.tag}#{name.id}"))
