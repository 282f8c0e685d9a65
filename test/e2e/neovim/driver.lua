-- Drives a real Neovim (0.7+, headless) through the README's configuration:
-- opens files, asks for the outline, formats, types, completes, reads the
-- statusline and the custom requests, then quits with :qa as a user does.
-- Results go as JSON to $CST_E2E_OUT; test/e2e/neovim.test.ts checks them.
--
-- The script runs as a coroutine that yields to Neovim's main loop between
-- steps, so keys given to nvim_input are handled by the editor exactly as typed
-- keys (insert mode, on_lines, the didChange debounce) and LSP replies arrive.

local out_path = assert(os.getenv('CST_E2E_OUT'), 'CST_E2E_OUT')
local results = { steps = {} }
local co

local function write_results()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(results))
  f:close()
end

local function fail(err)
  results.error = tostring(err) .. '\n' .. debug.traceback(co)
  write_results()
  vim.cmd('cquit! 1')
end

local function resume(...)
  local ok, err = coroutine.resume(co, ...)
  if not ok then fail(err) end
end

local function sleep(ms)
  vim.defer_fn(function() resume() end, ms)
  coroutine.yield()
end

local function now() return vim.loop.hrtime() / 1e6 end

local function wait_until(what, pred, timeout_ms)
  local deadline = now() + (timeout_ms or 30000)
  while true do
    local v = pred()
    if v then return v end
    if now() > deadline then error('timed out waiting for ' .. what) end
    sleep(20)
  end
end

local function step(name)
  table.insert(results.steps, name)
  write_results() -- a run that hangs later still shows how far it got
end

local function cst_client(bufnr)
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'cst' then return c end
  end
end

-- An LSP request through the client, answered asynchronously (the main loop keeps running).
local function request(client, method, params, bufnr)
  local done, err, result = false, nil, nil
  client.request(method, params, function(e, r)
    done, err, result = true, e, r
    resume()
  end, bufnr)
  while not done do coroutine.yield() end
  if err then error(method .. ' failed: ' .. vim.inspect(err)) end
  return result
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

-- Type keys one at a time, `gap_ms` apart, as a person at a keyboard. A
-- multi-key command (gg, <C-x><C-o>) goes as one element: while Neovim waits
-- for the rest of a command, it runs no timers or scheduled callbacks.
local function type_keys(keys, gap_ms)
  for _, key in ipairs(keys) do
    vim.api.nvim_input(key)
    sleep(gap_ms)
  end
end

local function chars(s)
  local t = {}
  for ch in s:gmatch('[%z\1-\127\194-\244][\128-\191]*') do
    table.insert(t, ch == '<' and '<lt>' or ch)
  end
  return t
end

local function outline(client, bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  local symbols = request(client, 'textDocument/documentSymbol', { textDocument = { uri = uri } }, bufnr)
  local names = {}
  for _, item in ipairs(vim.lsp.util.symbols_to_items(symbols or {}, bufnr)) do
    table.insert(names, item.text)
  end
  return names
end

local function open(file)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client = wait_until('the cst client to attach to ' .. file, function()
    local c = cst_client(bufnr)
    return c and c.initialized and c
  end)
  return bufnr, client
end

local function main()
  vim.cmd('filetype on') -- what every user config has; -u NONE leaves it off
  dofile(assert(os.getenv('CST_E2E_CONFIG'), 'CST_E2E_CONFIG'))

  -- TypeScript: outline, formatting, typing.
  local ts, client = open('app.ts')
  step('attached')
  results.pid = client.rpc.pid
  results.filetype = vim.bo[ts].filetype
  results.ts_outline = outline(client, ts)
  step('outline')

  vim.bo[ts].shiftwidth = 2
  vim.bo[ts].expandtab = true
  results.ts_before_format = buffer_text(ts)
  vim.lsp.buf.formatting_sync(nil, 10000)
  results.ts_after_format = buffer_text(ts)
  results.ts_modified_after_format = vim.bo[ts].modified
  step('formatted')

  local before = request(client, '$/cstStats', {}, ts)
  -- Append to the first line (after an emoji: UTF-16 columns), then add a function at the end.
  type_keys({ 'ggA' }, 20)
  type_keys(chars(' and 漢字'), 30)
  type_keys({ '<Esc>Go' }, 20)
  type_keys(chars('export function added(n: number): number {'), 30)
  type_keys({ '<CR>' }, 30)
  type_keys(chars('  return n + 1;'), 30)
  type_keys({ '<CR>' }, 30)
  type_keys(chars('}'), 30)
  type_keys({ '<Esc>' }, 20)
  results.ts_typed_text = buffer_text(ts)
  -- The outline follows without a save: the didChange notifications (debounced by the client) carried the typing.
  results.ts_outline_after_typing = wait_until('the typed function in the outline', function()
    local names = outline(client, ts)
    for _, n in ipairs(names) do
      if n:find('added', 1, true) then return names end
    end
  end)
  local tree = request(client, '$/cstDebugTree', { uri = vim.uri_from_bufnr(ts), text = true, digest = false }, ts)
  results.ts_server_text = tree.text
  results.ts_server_version = tree.version
  results.ts_buffer_version = vim.lsp.util.buf_versions[ts]
  results.ts_last_parse = tree.lastParse
  local after = request(client, '$/cstStats', {}, ts)
  results.typing_parses = {
    full = after.parses.full - before.parses.full,
    incremental = after.parses.incremental - before.parses.incremental,
  }
  step('typed')

  -- Python: outline and completion through the omnifunc (<C-x><C-o>) in insert mode.
  local py = open('util.py')
  results.py_outline = outline(client, py)
  type_keys({ 'Go' }, 20)
  type_keys(chars('print(gre'), 30)
  type_keys({ '<C-x><C-o>' }, 30)
  local info = wait_until('the completion menu', function()
    local i = vim.fn.complete_info({ 'items', 'mode' })
    return #i.items > 0 and i
  end)
  results.py_completion_mode = info.mode
  results.py_completion = {}
  for _, item in ipairs(info.items) do table.insert(results.py_completion, item.word) end
  type_keys({ '<C-e><Esc>u' }, 30)
  step('completed')

  -- Custom requests with the empty Lua table the README uses (Neovim 0.7 sends it as []).
  results.stats = request(client, '$/cstStats', {}, py)
  results.health = request(client, '$/health', {}, py)
  -- The README's statusline refreshes every 5 s from $/cstStats.
  results.statusline = wait_until('the statusline figures', function()
    local s = vim.api.nvim_eval_statusline(vim.o.statusline, {}).str
    return s:find('CST %d') and s
  end)
  step('stats')

  write_results()
  vim.api.nvim_input('<Esc>:qa!<CR>')
end

co = coroutine.create(main)
vim.defer_fn(resume, 0)
