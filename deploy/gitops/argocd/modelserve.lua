-- Argo CD health of a kubetune ModelServe: argocd-cm key
-- resource.customizations.health.kubetune.io_ModelServe (deploy/gitops/argocd/patch.sh).
-- Progressing until the operator has seen the current generation and until a server pod is
-- ready; Healthy when Ready (with its URL); Degraded when Failed (the model cannot be resolved,
-- or the server pods missed their progress deadline), with the reason and message.
local hs = {status = "Progressing", message = "Waiting for the kubetune operator"}
if obj.status == nil or obj.status.phase == nil then
  return hs
end

local function first_false()
  if obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.status ~= "True" and (c.type == "ModelResolved" or c.type == "Ready") then
        return (c.reason or "") .. ": " .. (c.message or "")
      end
    end
  end
  return nil
end

local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local phase = obj.status.phase
if phase == "Ready" then
  hs.status = "Healthy"
  hs.message = tostring(obj.status.readyReplicas or 0) .. " server pod(s) ready"
  if obj.status.url ~= nil then
    hs.message = hs.message .. " at " .. obj.status.url
  end
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = first_false() or "Failed"
else
  hs.message = first_false() or phase
end
return hs
