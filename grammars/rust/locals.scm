; Scopes and bindings (textDocument/documentHighlight) for Rust.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "parent")   bound in the scope around that one
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; Types and values share one name space here (a tuple struct is both).

; ---------------------------------------------------------------- scopes
[
  (block)
  (function_item)
  (function_signature_item)
  (closure_expression)
  (impl_item)
  (trait_item)
  (struct_item)
  (enum_item)
  (union_item)
  (type_item)
  (for_expression)
  (while_expression)
  (if_expression)
  (match_arm)
] @local.scope

; ---------------------------------------------------------------- imports
; `use` binds its last segment (or its alias); the segments before it are
; references (an unbound `std` groups with the other uses of `std`).
(use_declaration argument: (identifier) @local.definition.import)
(use_declaration argument: (scoped_identifier name: (identifier) @local.definition.import))
(use_list (identifier) @local.definition.import)
(use_list (scoped_identifier name: (identifier) @local.definition.import))
(use_as_clause alias: (identifier) @local.definition.import)
(extern_crate_declaration name: (identifier) @local.definition.import)

; ---------------------------------------------------------------- names without bindings
; Fields, and the last segment of a path (`Point::new`, `Shape::Circle`).
(field_identifier) @local.text.field
(scoped_identifier name: (identifier) @local.text.path)

; ---------------------------------------------------------------- definitions
((function_item name: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((function_signature_item name: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((struct_item name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((enum_item name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((union_item name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((type_item name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((trait_item name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
(const_item name: (identifier) @local.definition.constant)
(static_item name: (identifier) @local.definition.constant)
(mod_item name: (identifier) @local.definition.namespace)
(macro_definition name: (identifier) @local.definition.macro)
(enum_variant name: (identifier) @local.definition.enum_member)
(type_parameter name: (type_identifier) @local.definition.type)
(lifetime_parameter (lifetime (identifier) @local.definition.lifetime))

(parameter pattern: (identifier) @local.definition.parameter)
(self_parameter (self) @local.definition.parameter)
(closure_parameters (identifier) @local.definition.parameter)
(let_declaration pattern: (identifier) @local.definition.var)
(for_expression pattern: (identifier) @local.definition.var)
(let_condition pattern: (identifier) @local.definition.var)

; Patterns: an identifier binds unless it names a type or variant (capitalized).
(tuple_struct_pattern type: (identifier) @local.reference)
(field_pattern name: (shorthand_field_identifier) @local.definition.var)
(field_pattern pattern: (identifier) @local.definition.var)
((tuple_pattern (identifier) @local.definition.var) (#match? @local.definition.var "^[a-z_]"))
((tuple_struct_pattern (identifier) @local.definition.var) (#match? @local.definition.var "^[a-z_]"))
((slice_pattern (identifier) @local.definition.var) (#match? @local.definition.var "^[a-z_]"))
((or_pattern (identifier) @local.definition.var) (#match? @local.definition.var "^[a-z_]"))
((match_pattern (identifier) @local.definition.var) (#match? @local.definition.var "^[a-z_]"))
(ref_pattern (identifier) @local.definition.var)
(mut_pattern (identifier) @local.definition.var)
(captured_pattern (identifier) @local.definition.var)

; ---------------------------------------------------------------- references
(assignment_expression left: (identifier) @local.reference.write)
(compound_assignment_expr left: (identifier) @local.reference.write)

[
  (identifier)
  (type_identifier)
  (self)
] @local.reference
