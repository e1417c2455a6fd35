import { existsSync, readFileSync } from 'node:fs';

const LUA_DIR = new URL('./lua/', import.meta.url);

/**
 * What every script answers (the one reply convention): nil, a status string or flag, or an array, positional and
 * nested where the answer has structure; each script's header spells out its shape. Lua's false and nil inside
 * an array arrive as null; numbers that must stay exact (versions, times) travel as strings.
 */
export type LuaReply = string | number | null | LuaReply[];

/**
 * A Lua script of `group` (a folder of libs/cluster/src/lua), with the group's `helpers.lua` first when it has
 * one. Read when a store is created; the build copies the folder beside the compiled code.
 */
export function luaScript(group: string, name: string): string {
  const file = (path: string) => new URL(`${group}/${path}`, LUA_DIR);
  const helpers = file('helpers.lua');
  const prelude = existsSync(helpers) ? `${readFileSync(helpers, 'utf8')}\n` : '';
  return prelude + readFileSync(file(`${name}.lua`), 'utf8');
}
