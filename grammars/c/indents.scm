; C (clang-format's LLVM style: 2-column blocks, 4-column continuations,
; arguments and operands aligned, case labels at the level of `switch`,
; preprocessor directives in column 0). Captures: see
; server/src/features/formatting.ts.
[
  (compound_statement)
  (field_declaration_list)
  (enumerator_list)
  (case_statement)
] @indent.begin

; Bodies after a header broken over several lines are indented from the header's first line.
(function_definition body: (compound_statement) @indent.begin (#set! indent.base "parent"))
(if_statement consequence: (compound_statement) @indent.begin (#set! indent.base "parent"))
(else_clause (compound_statement) @indent.begin (#set! indent.base "parent"))
(for_statement body: (compound_statement) @indent.begin (#set! indent.base "parent"))
(while_statement body: (compound_statement) @indent.begin (#set! indent.base "parent"))
(switch_statement body: (compound_statement) @indent.begin (#set! indent.base "parent"))
([
  (struct_specifier body: (_) @indent.begin)
  (union_specifier body: (_) @indent.begin)
  (enum_specifier body: (_) @indent.begin)
] (#set! indent.base "parent"))

[ "}" ] @indent.end
(case_statement ["case" "default"] @indent.branch)
; Goto labels one level out.
(labeled_statement label: (statement_identifier) @indent.branch)

; Brackets: lines inside align with the first token after the opening bracket;
; when the bracket ends its line, they get a continuation indent (4 columns).
([
  (argument_list)
  (parameter_list)
  (parenthesized_expression)
  (initializer_list)
  (attribute_specifier)
  (gnu_asm_expression)
] @indent.align
  (#set! indent.align "open")
  (#set! indent.levels 2))

; Operands of a broken binary expression align with its first operand.
((binary_expression) @indent.align (#set! indent.align "start"))

; Continuation lines of a statement: `x =` / `    value`.
([
  (init_declarator)
  (assignment_expression)
  (return_statement)
  (conditional_expression)
] @indent.begin
  (#set! indent.levels 2))

; A statement after `if (x)` without braces.
(if_statement consequence: [(expression_statement) (return_statement) (break_statement) (continue_statement) (goto_statement)] @indent.begin (#set! indent.from "parent"))
(else_clause [(expression_statement) (return_statement) (break_statement) (continue_statement) (goto_statement)] @indent.begin (#set! indent.from "parent"))
(for_statement body: [(expression_statement) (return_statement) (break_statement) (continue_statement) (goto_statement)] @indent.begin (#set! indent.from "parent"))
(while_statement body: [(expression_statement) (return_statement) (break_statement) (continue_statement) (goto_statement)] @indent.begin (#set! indent.from "parent"))

[ "#define" "#elif" "#elifdef" "#elifndef" "#else" "#endif" "#if" "#ifdef" "#ifndef" "#include" (preproc_directive) ] @indent.zero

[ (string_literal) (concatenated_string) (char_literal) (preproc_arg) ] @indent.ignore

[ (preproc_def) (preproc_function_def) (preproc_call) (preproc_include) ] @indent.ignore
