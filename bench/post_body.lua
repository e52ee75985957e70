-- wrk script: POST the JSON body in the file named by $BENCH_BODY (the same bytes every request),
-- with $BENCH_AUTH as the Authorization header when set. At the end prints one line
--   RESULT <label> requests=N rps=R p50_us=.. p90_us=.. p99_us=.. max_us=.. errors=E
-- ($BENCH_LABEL) for bench/upstream_latency.sh to tabulate. Usage:
--   BENCH_BODY=body.json BENCH_LABEL=direct wrk -t1 -c1 -d10s --latency -s bench/post_body.lua URL
local file = assert(io.open(assert(os.getenv("BENCH_BODY"), "set BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
if os.getenv("BENCH_AUTH") then wrk.headers["Authorization"] = os.getenv("BENCH_AUTH") end

local bad = 0
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
                 summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT %s requests=%d rps=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
    os.getenv("BENCH_LABEL") or "-", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, errors))
end
