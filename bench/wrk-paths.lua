-- wrk script for `npm run bench -- http`: each request takes the next path of the file named in
-- PLOTLINE_PATHS (one per line), so requests vary across and within connections.
local paths = {}
for line in io.lines(os.getenv("PLOTLINE_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
