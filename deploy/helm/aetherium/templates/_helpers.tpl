{{/* The release's base name: "aetherium" for a release named aetherium. */}}
{{- define "aetherium.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "aetherium.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; a component label is added beside them. */}}
{{- define "aetherium.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "aetherium.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* What selectors match on, with the component. */}}
{{- define "aetherium.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aetherium.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "aetherium.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aetherium.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "aetherium.secretName" -}}
{{- if .Values.secrets.create -}}
{{- printf "%s-secrets" (include "aetherium.fullname" .) -}}
{{- else -}}
{{- .Values.secrets.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "aetherium.integrationsSecretName" -}}
{{- if .Values.integrations.create -}}
{{- printf "%s-integrations" (include "aetherium.fullname" .) -}}
{{- else -}}
{{- .Values.integrations.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "aetherium.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* Environment every role reads: the ConfigMap and the shared Secret. */}}
{{- define "aetherium.envFrom" -}}
- configMapRef:
    name: {{ include "aetherium.fullname" . }}-config
- secretRef:
    name: {{ include "aetherium.secretName" . }}
{{- end -}}

{{/* DNS, then PostgreSQL and Redis (pods of any namespace, or the backend address range). */}}
{{- define "aetherium.backendEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
- to:
    - namespaceSelector: {}
    - ipBlock:
        cidr: {{ .Values.networkPolicy.backendCidr }}
  ports:
    - port: {{ .Values.networkPolicy.postgresPort }}
      protocol: TCP
    - port: {{ .Values.networkPolicy.redisPort }}
      protocol: TCP
{{- end -}}
