-- CacheScope in Neovim's built-in LSP client: Neovim 0.7 or later, no plugin needed.
--
-- Install: copy this file to ~/.config/nvim/plugin/cachescope.lua (Neovim sources every file in
-- plugin/ at start-up), or `dofile()` it from your init.lua. It starts one CacheScope language
-- server per project root for TypeScript and JavaScript buffers and attaches them to it; findings
-- show as diagnostics, and `:lua vim.lsp.buf.code_action()` offers the quick fixes.
--
-- Optional, set before this file runs:
--   vim.g.cachescope_lsp_cmd = { 'cachescope-lsp', '--stdio' }
--       How to start the server. Default: the project's node_modules/.bin/cachescope-lsp when it
--       exists (`npm install -D cachescope`), else `cachescope-lsp` from your PATH.
--   vim.g.cachescope_settings = { run = 'onSave', rules = { ['require-ttl'] = 'error' } }
--       The `cachescope.*` settings: enable, run ('onType' | 'onSave'), configFile, rules,
--       lintWorkspace, codeActions = { disableComments }. Rule options stay in .cachescoperc.json.

local filetypes = { 'typescript', 'javascript', 'typescriptreact', 'javascriptreact' }

-- In order of preference: a CacheScope configuration marks the project; else the repository root,
-- so that the cross-file rules see every package; else the nearest package.json.
local root_markers = { '.cachescoperc.json', '.git', 'package.json' }

local clients_by_root = {}

local function parent_of(dir)
  return vim.fn.fnamemodify(dir, ':h')
end

local function find_root(start_dir)
  for _, marker in ipairs(root_markers) do
    local dir = start_dir
    while true do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
      local parent = parent_of(dir)
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return start_dir
end

local function server_cmd(root)
  if vim.g.cachescope_lsp_cmd then
    return vim.g.cachescope_lsp_cmd
  end
  local local_bin = root .. '/node_modules/.bin/cachescope-lsp'
  if vim.fn.executable(local_bin) == 1 then
    return { local_bin, '--stdio' }
  end
  return { 'cachescope-lsp', '--stdio' }
end

local function client_for(root)
  local existing = clients_by_root[root]
  if existing and vim.lsp.get_client_by_id(existing) then
    return existing
  end
  local settings = vim.g.cachescope_settings or vim.empty_dict()
  local client_id = vim.lsp.start_client({
    name = 'cachescope',
    cmd = server_cmd(root),
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ':t') } },
    -- Answers the server's workspace/configuration requests (section `cachescope`).
    settings = { cachescope = settings },
    -- Read by the server at start-up too, for clients that do not answer workspace/configuration.
    init_options = { settings = settings },
    on_exit = function()
      clients_by_root[root] = nil
    end,
  })
  clients_by_root[root] = client_id
  return client_id
end

local function attach(bufnr)
  local file = vim.api.nvim_buf_get_name(bufnr)
  -- Only files on disk: the server lints file:// documents.
  if file == '' or vim.bo[bufnr].buftype ~= '' then
    return
  end
  local client_id = client_for(find_root(vim.fn.fnamemodify(file, ':p:h')))
  if client_id then
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
end

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('cachescope', { clear = true }),
  pattern = filetypes,
  callback = function(args)
    attach(args.buf)
  end,
})
