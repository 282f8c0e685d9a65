; Document symbols (textDocument/documentSymbol) for Rust.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange); several = source text first..last
;   @detail          signature or type; several = source text first..last
;   @local.scope     a function body: symbols marked (#is-not? local) inside it are dropped
; A declaration captured by several patterns takes the first pattern in this file.
; Nesting comes from range containment.
;
; Kinds follow rust-analyzer: mod -> module, struct/union -> struct, enum ->
; enum, variant -> enum_member, trait -> interface, impl -> object (named
; "impl Trait for Type"), fn in impl/trait -> method, type alias ->
; type_parameter, const -> constant, static -> variable, macro_rules! -> function.
; Items inside function bodies (nested fns, structs) are listed; `let` bindings are not.

(function_item body: (block) @local.scope)

; ---------------------------------------------------------------- modules and types
(mod_item
  name: (identifier) @name) @symbol.module

(struct_item
  name: (type_identifier) @name
  type_parameters: (type_parameters)? @detail
  body: (ordered_field_declaration_list)? @detail) @symbol.struct

(union_item
  name: (type_identifier) @name
  type_parameters: (type_parameters)? @detail) @symbol.struct

(field_declaration_list
  (field_declaration
    name: (field_identifier) @name
    type: (_) @detail) @symbol.field)

(enum_item
  name: (type_identifier) @name
  type_parameters: (type_parameters)? @detail) @symbol.enum

(enum_variant
  name: (identifier) @name
  body: (ordered_field_declaration_list)? @detail) @symbol.enum_member

(trait_item
  name: (type_identifier) @name
  bounds: (trait_bounds)? @detail) @symbol.interface

(type_item
  name: (type_identifier) @name
  type: (_) @detail) @symbol.type_parameter

(associated_type
  name: (type_identifier) @name
  bounds: (trait_bounds)? @detail) @symbol.type_parameter

; impl Display for Point<f64>  /  impl<T: Copy> Point<T>
(impl_item
  "impl" @name
  type: (_) @name) @symbol.object

; ---------------------------------------------------------------- functions
([(impl_item) (trait_item)]
  body: (declaration_list
    (function_item
      name: (identifier) @name
      parameters: (parameters) @detail
      return_type: (_)? @detail) @symbol.method))

(trait_item
  body: (declaration_list
    (function_signature_item
      name: (identifier) @name
      parameters: (parameters) @detail
      return_type: (_)? @detail) @symbol.method))

(function_item
  name: (identifier) @name
  parameters: (parameters) @detail
  return_type: (_)? @detail) @symbol.function

(function_signature_item
  name: (identifier) @name
  parameters: (parameters) @detail
  return_type: (_)? @detail) @symbol.function

(macro_definition
  name: (identifier) @name) @symbol.function

; ---------------------------------------------------------------- constants and statics
(const_item
  name: (identifier) @name
  type: (_) @detail) @symbol.constant

(static_item
  name: (identifier) @name
  type: (_) @detail) @symbol.variable
