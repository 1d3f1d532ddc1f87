-- Argo CD health of a kubetune FineTuneJob: argocd-cm key
-- resource.customizations.health.kubetune.io_FineTuneJob (deploy/gitops/argocd/patch.sh).
-- Progressing until the operator has seen the current generation and while the job is pending,
-- training or exporting (and, with spec.serve, until its ModelServe is ready); Healthy once
-- trained; Suspended; Degraded when Failed or when its ModelServe failed, with the reason and
-- message.
local hs = {status = "Progressing", message = "Waiting for the kubetune operator"}
if obj.status == nil or obj.status.phase == nil then
  return hs
end

local function condition(kind)
  if obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == kind then
        return c
      end
    end
  end
  return nil
end

local function say(c, fallback)
  if c == nil then
    return fallback
  end
  return (c.reason or "") .. ": " .. (c.message or "")
end

local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local phase = obj.status.phase
if phase == "Failed" then
  hs.status = "Degraded"
  hs.message = say(condition("Failed"), "the job failed")
elseif phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = say(condition("Suspended"), "the job is suspended")
elseif phase == "Succeeded" then
  local serving = condition("Serving")
  if serving ~= nil and serving.status ~= "True" then
    -- the ModelServe of spec.serve is the job's own: Argo CD does not count it in the
    -- application's health, so its failure shows here
    if serving.reason == "ModelServeFailed" then
      hs.status = "Degraded"
    end
    hs.message = "Trained; " .. say(serving, "waiting for its ModelServe")
  else
    hs.status = "Healthy"
    hs.message = "Trained"
    if obj.status.artifact ~= nil and obj.status.artifact.model ~= nil then
      hs.message = "Trained: " .. obj.status.artifact.model
    end
    if obj.status.url ~= nil then
      hs.message = hs.message .. "; served at " .. obj.status.url
    end
  end
elseif phase == "Running" or phase == "Exporting" then
  hs.message = phase
  local p = obj.status.progress
  if p ~= nil and p.steps ~= nil then
    hs.message = hs.message .. ": steps " .. p.steps
    if p.loss ~= nil then
      hs.message = hs.message .. ", loss " .. tostring(p.loss)
    end
  end
else
  local created = condition("Created")
  if created ~= nil and created.status ~= "True" then
    hs.message = say(created, "Pending")
  else
    hs.message = say(condition("Running"), "Pending")
  end
end
return hs
