; inherits: c
; C++ (clang-format's LLVM style): the C query plus C++ constructs.
; Namespace and extern "C" bodies are not indented (NamespaceIndentation: None).
(declaration_list "}" @indent.zero)

(lambda_expression body: (compound_statement) @indent.begin)
(access_specifier) @indent.branch
(field_declaration_list (access_specifier) @indent.branch)

([
  (condition_clause)
  (template_argument_list)
  (template_parameter_list)
] @indent.align
  (#set! indent.align "open")
  (#set! indent.levels 2))

; Constructor initializers and base classes on their own line: a continuation
; indent from the declaration's first line; further lines align with the first.
([
  (field_initializer_list)
  (base_class_clause)
] @indent.begin
  (#set! indent.from "parent")
  (#set! indent.levels 2))
((field_initializer_list) @indent.align (#set! indent.align "open"))
((alias_declaration) @indent.begin (#set! indent.levels 2))
(class_specifier body: (_) @indent.begin (#set! indent.base "parent"))
(for_range_loop body: (compound_statement) @indent.begin (#set! indent.base "parent"))

(raw_string_literal) @indent.ignore
