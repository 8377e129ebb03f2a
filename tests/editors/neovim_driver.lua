-- Headless Neovim (0.7+) end-to-end check of crew-lsp.
--   nvim --headless -u NONE -i NONE -n -c "luafile tests/editors/neovim_driver.lua"
-- Env: CREW_PYTHON (interpreter that has crew_lsp), CREW_ROOT (workspace), CREW_FILE (broken team file),
--      CREW_OUT (result JSON). Exit 0 on success, 1 on failure (:cquit).
local python = os.getenv("CREW_PYTHON")
local root = os.getenv("CREW_ROOT")
local file = os.getenv("CREW_FILE")
local out = os.getenv("CREW_OUT")
local log = {}
local function L(s) table.insert(log, s) end

local client_id = vim.lsp.start_client({
  name = "crew-lsp",
  cmd = { python, "-m", "crew_lsp", "serve" },
  root_dir = root,
  init_options = { diagnostics = { delayMs = 0 } },
  handlers = {
    ["window/workDoneProgress/create"] = function() return vim.NIL end,
  },
  on_exit = function(code, signal) L("server exited code=" .. tostring(code)) end,
})
if not client_id then
  io.stderr:write("start_client failed\n")
  vim.cmd("cquit 1")
end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, client_id)
local client = vim.lsp.get_client_by_id(client_id)

-- 1) the diagnostics of the broken team arrive
local got = vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
local function summary(d)
  local lsp = (d.user_data or {}).lsp or {}
  return { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, severity = d.severity,
           message = d.message, source = d.source, code = d.code or lsp.code }
end
local before = vim.tbl_map(summary, vim.diagnostic.get(bufnr))

-- 2) ask for code actions at the diagnostic and apply the quick fix
local actions, titles, applied = {}, {}, nil
if got then
  local d = vim.diagnostic.get(bufnr)[1]
  local lsp_diag = ((d.user_data or {}).lsp) or {}
  local context_diag = {
    range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity, message = d.message, source = d.source, code = lsp_diag.code or d.code, data = lsp_diag.data,
  }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = context_diag.range,
    context = { diagnostics = { context_diag } },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 10000) or {}
  for _, resp in pairs(responses) do
    for _, action in ipairs(resp.result or {}) do
      table.insert(actions, action)
      table.insert(titles, action.title)
    end
  end
  for _, action in ipairs(actions) do
    if action.kind == "quickfix" and action.isPreferred and action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
      applied = action.title
      break
    end
  end
end

-- 3) the edit goes to the server (didChange) and the diagnostic disappears
local cleared = applied ~= nil and vim.wait(20000, function() return #vim.diagnostic.get(bufnr) == 0 end, 50)
local line = vim.api.nvim_buf_get_lines(bufnr, 6, 7, false)[1]

local res = {
  nvim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch),
  got_diagnostics = got,
  diagnostics = before,
  action_titles = titles,
  applied = applied or vim.NIL,
  cleared = cleared,
  line_after = line,
  offset_encoding = client.offset_encoding,
  log = log,
}
local f = io.open(out, "w")
f:write(vim.fn.json_encode(res))
f:close()

client.stop()
vim.wait(3000, function() return vim.lsp.client_is_stopped(client_id) end, 50)
if got and cleared then vim.cmd("qall!") else vim.cmd("cquit 1") end
