{{/* The release's base name, at most 40 characters so that "<base>-<service>" fits Kubernetes' 63. */}}
{{- define "orderly.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of one service's objects: (dict "root" $ "service" "order-api") */}}
{{- define "orderly.serviceName" -}}
{{- printf "%s-%s" (include "orderly.fullname" .root) .service -}}
{{- end -}}

{{/* Labels every object carries. (dict "root" $ "service" "order-api"); service may be empty. */}}
{{- define "orderly.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: orderly
{{- with .service }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* Labels that select one service's pods. */}}
{{- define "orderly.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{/* The Secret holding the passwords. */}}
{{- define "orderly.secretName" -}}
{{- default (printf "%s-credentials" (include "orderly.fullname" .)) .Values.credentials.existingSecret -}}
{{- end -}}

{{/* One service's image reference. (dict "root" $ "service" "order-api") */}}
{{- define "orderly.image" -}}
{{- $image := .root.Values.image -}}
{{- printf "%s/%s/%s:%s" $image.registry $image.repository .service (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* Fails rendering if one workload would be scaled by both KEDA and an HPA. */}}
{{- define "orderly.checkAutoscaling" -}}
{{- range $name, $svc := .Values.services -}}
{{- if and $svc.enabled $svc.autoscaling.hpa.enabled $svc.autoscaling.keda.enabled -}}
{{- fail (printf "services.%s: autoscaling.hpa and autoscaling.keda are both enabled; KEDA creates its own HPA, so enable one of them" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The RabbitMQ management API: rabbitmq.managementUrl, or port 15672 of rabbitmq.host. */}}
{{- define "orderly.rabbitmqManagementUrl" -}}
{{- default (printf "http://%s:15672" .Values.rabbitmq.host) .Values.rabbitmq.managementUrl -}}
{{- end -}}
