; Completion facts for Rust (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Functions, closures, blocks and the expressions that bind in their header (`for x in`, `if let`,
; match arms) are scopes. impl/trait bodies are @scope.class: their functions are members (offered
; after `self.`); struct bodies are @scope.class for their fields. Pattern identifiers bind unless
; capitalized (a unit struct or variant such as `None`).

[(function_item) (function_signature_item) (closure_expression) (block) (for_expression)
 (if_expression) (while_expression) (match_arm)] @scope
(impl_item body: (declaration_list) @scope.class)
(trait_item body: (declaration_list) @scope.class)
[(field_declaration_list) (enum_variant_list)] @scope.class

(declaration_list (function_item name: (identifier) @definition.method))
(declaration_list (function_signature_item name: (identifier) @definition.method))
(function_item name: (identifier) @definition.function)
(function_signature_item name: (identifier) @definition.function)
(macro_definition name: (identifier) @definition.function)
(struct_item name: (type_identifier) @definition.class)
(union_item name: (type_identifier) @definition.class)
(enum_item name: (type_identifier) @definition.enum)
(trait_item name: (type_identifier) @definition.interface)
(type_item name: (type_identifier) @definition.type)
(associated_type name: (type_identifier) @definition.type)
(mod_item name: (identifier) @definition.module)
(const_item name: (identifier) @definition.constant)
(static_item name: (identifier) @definition.constant)
(enum_variant name: (identifier) @definition.constant)
(field_declaration name: (field_identifier) @definition.field)
(type_parameter name: (type_identifier) @definition.type_parameter)

(parameter pattern: (identifier) @definition.parameter)
(parameter pattern: (mut_pattern (identifier) @definition.parameter))
(closure_parameters (identifier) @definition.parameter)

(let_declaration pattern: (identifier) @definition.variable)
(let_declaration pattern: (mut_pattern (identifier) @definition.variable))
(for_expression pattern: (identifier) @definition.variable)
(let_condition pattern: (identifier) @definition.variable)
(field_pattern name: (shorthand_field_identifier) @definition.variable)
(field_pattern pattern: (identifier) @definition.variable)
(ref_pattern (identifier) @definition.variable)
(mut_pattern (identifier) @definition.variable)
(captured_pattern (identifier) @definition.variable)
((tuple_pattern (identifier) @definition.variable) (#match? @definition.variable "^[a-z_]"))
((tuple_struct_pattern (identifier) @definition.variable) (#match? @definition.variable "^[a-z_]"))
((slice_pattern (identifier) @definition.variable) (#match? @definition.variable "^[a-z_]"))
((or_pattern (identifier) @definition.variable) (#match? @definition.variable "^[a-z_]"))
((match_pattern (identifier) @definition.variable) (#match? @definition.variable "^[a-z_]"))

(use_declaration argument: (identifier) @definition.module)
(use_declaration argument: (scoped_identifier name: (identifier) @definition.module))
(use_list (identifier) @definition.module)
(use_list (scoped_identifier name: (identifier) @definition.module))
(use_as_clause alias: (identifier) @definition.module)
(extern_crate_declaration name: (identifier) @definition.module)

(line_comment) @skip.comment
(block_comment) @skip.comment
[(string_literal) (raw_string_literal) (char_literal)] @skip.string
