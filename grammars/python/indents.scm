; Python: indentation is meaning. A line that starts a statement keeps its
; indentation; only whitespace that cannot change meaning is formatted:
; trailing whitespace, blank-line runs, the final newline, and continuation
; lines inside brackets (implicit line joining), which align with the first
; item after the bracket, or get one level (black's hanging indent) when the
; bracket ends its line.
(module) @indent.auto

([
  (argument_list)
  (parameters)
  (lambda_parameters)
  (list)
  (dictionary)
  (set)
  (tuple)
  (parenthesized_expression)
  (subscript)
  (list_comprehension)
  (dictionary_comprehension)
  (set_comprehension)
  (generator_expression)
  (type_parameter)
] @indent.align
  (#set! indent.align "open"))

(argument_list ")" @indent.end)
(parameters ")" @indent.end)
(list "]" @indent.end)
(dictionary "}" @indent.end)
(set "}" @indent.end)
(tuple ")" @indent.end)
(parenthesized_expression ")" @indent.end)
(subscript "]" @indent.end)
(list_comprehension "]" @indent.end)
(dictionary_comprehension "}" @indent.end)
(set_comprehension "}" @indent.end)
(generator_expression ")" @indent.end)
(import_from_statement ")" @indent.end)

; `from x import (` / `    a,` / `)`: the parentheses have no node of their own.
(import_from_statement) @indent.begin

(string) @indent.ignore
