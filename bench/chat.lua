-- wrk script: POST /agents/<agent>/chat with a fresh conversation per request (the common case
-- of a first turn). Usage: wrk -s bench/chat.lua http://127.0.0.1:18080/agents/agent_alpha/chat
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"user_id":"bench-user","message":"How should I balance risk and return in a ' ..
           'long-term portfolio with index funds and bonds?"}'

local errors = 0
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
