; C (clang-format's LLVM layout: case labels at the level of `switch`,
; preprocessor directives in column 0). Continuation lines of a statement
; (aligned arguments, conditions, initializers) keep their indentation.
[
  (compound_statement)
  (field_declaration_list)
  (enumerator_list)
  (initializer_list)
  (case_statement)
] @indent.begin

[ "}" ] @indent.end
(case_statement ["case" "default"] @indent.branch)

[
  (argument_list)
  (parameter_list)
  (parenthesized_expression)
  (init_declarator)
  (assignment_expression)
  (binary_expression)
  (conditional_expression)
  (return_statement)
  (declaration)
  (field_declaration)
  (gnu_asm_expression)
  (call_expression)
  (macro_type_specifier)
  (attribute_specifier)
] @indent.align

; A statement after `if (x)` without braces.
(if_statement consequence: [(expression_statement) (return_statement) (break_statement) (continue_statement) (goto_statement)] @indent.begin (#set! indent.from "parent"))
(else_clause (expression_statement) @indent.begin (#set! indent.from "parent"))
(for_statement body: (expression_statement) @indent.begin (#set! indent.from "parent"))
(while_statement body: (expression_statement) @indent.begin (#set! indent.from "parent"))

[ "#define" "#elif" "#elifdef" "#elifndef" "#else" "#endif" "#if" "#ifdef" "#ifndef" "#include" (preproc_directive) ] @indent.zero

[ (string_literal) (concatenated_string) (char_literal) (preproc_arg) ] @indent.ignore

[ (preproc_def) (preproc_function_def) (preproc_call) (preproc_include) ] @indent.ignore
