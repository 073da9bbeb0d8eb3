-- bench/pipeline.lua — wrk sends DEPTH requests in one write (default 16, as
-- the TechEmpower plaintext test does) and counts each response as it comes.
--   wrk -s bench/pipeline.lua http://127.0.0.1:PORT/PATH -- 16
local batch

function init(args)
    local depth = tonumber(args[1]) or 16
    batch = string.rep(wrk.format(), depth)
end

function request()
    return batch
end
