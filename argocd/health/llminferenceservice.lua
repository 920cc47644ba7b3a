-- inferc: health of a KServe LLMInferenceService, for Argo CD releases up to 3.5 that
-- ship no check for it (the resource then shows Healthy as soon as it exists).
-- KServe aggregates its dependent conditions (PresetsCombined, WorkloadsReady,
-- RouterReady, ...) into Ready; a model stopped from the dashboard
-- (serving.kserve.io/stop) has conditions with reason Stopped.
local hs = {status = "Progressing",
            message = "Waiting for LLMInferenceService to report status..."}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end

local ready = nil
local stopped = false
local waiting = {}
for _, condition in ipairs(obj.status.conditions) do
  if condition.reason == "Stopped" then
    stopped = true
  end
  if condition.type == "Ready" then
    ready = condition
  elseif condition.status ~= "True" then
    local text = condition.type .. ": " .. condition.status
    if condition.reason ~= nil and condition.reason ~= "" then
      text = text .. " | " .. condition.reason
    end
    if condition.message ~= nil and condition.message ~= "" then
      text = text .. " | " .. condition.message
    end
    table.insert(waiting, text)
  end
end

-- a Ready=True from an older generation says nothing about the current spec
local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
local observed = obj.status.observedGeneration
if ready ~= nil and ready.observedGeneration ~= nil then
  if observed == nil or ready.observedGeneration ~= generation then
    observed = ready.observedGeneration
  end
end
if generation ~= nil and observed ~= nil and observed ~= generation then
  hs.message = "Waiting for LLMInferenceService reconciliation (generation mismatch)"
  return hs
end

if stopped then
  hs.status = "Suspended"
  hs.message = "LLMInferenceService is Stopped"
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "LLMInferenceService is healthy."
  return hs
end
if ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
end
if #waiting > 0 then
  hs.message = table.concat(waiting, "; ")
elseif ready ~= nil and ready.message ~= nil and ready.message ~= "" then
  hs.message = ready.message
end
return hs
