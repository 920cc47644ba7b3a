-- inferc: health of a Kuadrant policy (AuthPolicy, RateLimitPolicy, TokenRateLimitPolicy).
-- Argo CD ships no check for kuadrant.io, so without this a policy that Kuadrant rejects
-- (target not found, conflict, invalid) looks Healthy. Kuadrant reports two conditions:
-- Accepted (Gateway API policy attachment) and Enforced (kuadrant-operator
-- internal/kuadrant/conditions.go), and status.observedGeneration.
local hs = {status = "Progressing", message = "Waiting for Kuadrant to report status"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
if generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.status.observedGeneration ~= generation then
  hs.message = "Waiting for Kuadrant to reconcile generation " .. generation
  return hs
end

local accepted = nil
local enforced = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Accepted" then
    accepted = condition
  elseif condition.type == "Enforced" then
    enforced = condition
  end
end

local function describe(condition)
  local text = condition.type .. " is " .. condition.status
  if condition.reason ~= nil and condition.reason ~= "" then
    text = text .. " (" .. condition.reason .. ")"
  end
  if condition.message ~= nil and condition.message ~= "" then
    text = text .. ": " .. condition.message
  end
  return text
end

if accepted ~= nil and accepted.status == "False" then
  -- TargetNotFound, Conflicted, Invalid, MissingDependency, Unknown: the policy does nothing
  hs.status = "Degraded"
  hs.message = describe(accepted)
  return hs
end
if accepted == nil or accepted.status ~= "True" or enforced == nil then
  if accepted ~= nil then
    hs.message = describe(accepted)
  end
  return hs
end

if enforced.status == "True" then
  hs.status = "Healthy"
  hs.message = enforced.message or "Enforced"
elseif enforced.reason == "Overridden" then
  -- a policy the platform team set on the Gateway takes precedence: intended, not broken
  hs.status = "Healthy"
  hs.message = describe(enforced)
elseif enforced.status == "Unknown" or enforced.reason == "Unknown" then
  hs.message = describe(enforced)
else
  -- MissingDependency (Limitador/Authorino absent), MissingResource, ...
  hs.status = "Degraded"
  hs.message = describe(enforced)
end
return hs
