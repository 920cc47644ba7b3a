-- inferc: health of a KServe InferenceService, for Argo CD releases before 3.3, whose
-- built-in check reports a model stopped from the OpenShift AI dashboard
-- (annotation serving.kserve.io/stop, condition Stopped=True) as Degraded
-- (argoproj/argo-cd#25263). Argo CD 3.3 and later judge it right: do not install this there.
local hs = {status = "Progressing",
            message = "Waiting for InferenceService to report status..."}
if obj.status == nil then
  return hs
end

local problems = {}
local in_progress = false
local failed_load = false
local model = obj.status.modelStatus
if model ~= nil and model.transitionStatus ~= nil and model.transitionStatus ~= "UpToDate" then
  if model.transitionStatus == "InProgress" then
    in_progress = true
  else
    failed_load = true  -- BlockedByFailedLoad, InvalidSpec
  end
  table.insert(problems, "transitionStatus " .. model.transitionStatus)
end

local false_count = 0
local unknown_count = 0
for _, condition in ipairs(obj.status.conditions or {}) do
  if condition.type == "Stopped" then
    if condition.status == "True" then
      hs.status = "Suspended"
      hs.message = "InferenceService is Stopped"
      return hs
    end
  elseif condition.status ~= "True" then
    if condition.status == "False" then
      false_count = false_count + 1
    else
      unknown_count = unknown_count + 1
    end
    local text = condition.type .. " is " .. condition.status
    if condition.reason ~= nil and condition.reason ~= "" then
      text = text .. " (" .. condition.reason .. ")"
    end
    if condition.message ~= nil and condition.message ~= "" then
      text = text .. ": " .. condition.message
    end
    table.insert(problems, text)
  end
end

if not in_progress and not failed_load and false_count == 0 and unknown_count == 0 then
  hs.status = "Healthy"
  hs.message = "InferenceService is healthy."
  return hs
end
-- a False condition while a new revision rolls out is progress, as Argo CD 3.3 judges it
if failed_load then
  hs.status = "Degraded"
elseif in_progress or false_count == 0 then
  hs.status = "Progressing"
else
  hs.status = "Degraded"
end
hs.message = table.concat(problems, "; ")
return hs
